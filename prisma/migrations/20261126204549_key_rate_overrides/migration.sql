-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "rpmLimit" INTEGER,
ADD COLUMN     "tpmLimit" INTEGER;
